521 SHA256:TlwhLDMd7MjRjQI4f1l7ifCkTT3ahcoN+j0aespJjQs no comment (ECDSA)
