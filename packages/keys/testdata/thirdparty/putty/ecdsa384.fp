384 SHA256:nrL/WN85rxa0ilVffR1nlv4IPyA5O9yovGDBoqjvnrw ecdsa-key-20250101 (ECDSA)
