256 SHA256:zKhQf6Ws8jL3wZfdOpwfE0Lc7ArignPd40uIESbEynM no comment (ECDSA)
