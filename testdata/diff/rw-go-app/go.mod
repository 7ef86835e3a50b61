module example
