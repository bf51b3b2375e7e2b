256 SHA256:jI++Yf8m+fYOJw1QEgkznC5QCmoeTUEbb3+ew3ydWQM no comment (ECDSA)
