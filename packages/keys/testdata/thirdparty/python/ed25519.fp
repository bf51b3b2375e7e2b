256 SHA256:/c0L4jnhat5O+/SL1NqMYCszdyyZtqfz09Jr7kOpuAQ no comment (ED25519)
