521 SHA256:imOSzfptBHhdiRMD7l8iw2chWEdTr/eyI9zrQgcpWco ecdsa-key-20250101 (ECDSA)
