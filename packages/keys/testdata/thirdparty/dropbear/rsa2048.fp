2048 SHA256:LhUHdoZ4t1fdyjN21mbNzU2bE2LpQ+5R7dycYdz+3OM no comment (RSA)
