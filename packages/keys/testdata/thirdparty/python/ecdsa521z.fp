521 SHA256:4a70R11loyoL6itqMShAA4xotw+nPIpSbsnVpm2fWN8 no comment (ECDSA)
