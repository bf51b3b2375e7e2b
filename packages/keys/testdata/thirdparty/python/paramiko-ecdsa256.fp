256 SHA256:6qsHCjjA2/cgwexuISRCfmBcljIlomtlxU1H7Q0VRvc no comment (ECDSA)
