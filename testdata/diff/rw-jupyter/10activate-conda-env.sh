eval "$(conda shell.bash hook)"
