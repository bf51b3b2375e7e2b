256 SHA256:ch2wju/KWxQk2JIj3q53qHy7cOKOdKoAtMLsz1+NkyQ no comment (ED25519)
