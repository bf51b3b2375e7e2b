2048 SHA256:G1gHybM0OOECjjPmWWZjceUzr5iURxYvnlkvvDU7kIk no comment (RSA)
