384 SHA256:++c1rPIWBtFHUwOvjNdkXBWI0mQpE+wEuQo7mX5mlyg no comment (ECDSA)
