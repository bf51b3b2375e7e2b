384 SHA256:6S++upy6I3Sfi85CTmqK/FXIurx3J9mgvpTLRcKrkQk no comment (ECDSA)
