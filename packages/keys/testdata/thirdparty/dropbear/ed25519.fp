256 SHA256:Pirbyay3T0lX8e9VygliJu8nE+ZYpBOsOyu71eninT4 no comment (ED25519)
