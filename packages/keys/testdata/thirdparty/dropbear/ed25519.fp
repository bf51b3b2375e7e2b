256 SHA256:hPSl2VF1WGD+vTkhDDonMG/4ohkdTtl+cvOUTFgahVU no comment (ED25519)
