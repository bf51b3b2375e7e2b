521 SHA256:soN6Rt+/0kOFZ/uHRLTNP3Qncaej1033yNaCkJj+mNc no comment (ECDSA)
