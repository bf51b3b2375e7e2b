2048 SHA256:/eo4bnUefjpfSdlzfes8ST/G85gVKjcZc+u9XcAkd30 no comment (RSA)
