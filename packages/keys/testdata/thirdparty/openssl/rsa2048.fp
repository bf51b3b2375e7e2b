2048 SHA256:2UIa3ETGCooodKriroEaflLv1ff+FMCHCym/JzBf8u0 no comment (RSA)
