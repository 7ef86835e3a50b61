module github.com/docker/buildx
