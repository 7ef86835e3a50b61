module github.com/ollama/ollama
