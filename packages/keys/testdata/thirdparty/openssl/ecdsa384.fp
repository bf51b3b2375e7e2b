384 SHA256:xdPsTJmTQzkvVHB2SyRzDVAcyyaFx/xl+zI/Ejr8GFI no comment (ECDSA)
