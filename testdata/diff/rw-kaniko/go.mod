module github.com/GoogleContainerTools/kaniko
