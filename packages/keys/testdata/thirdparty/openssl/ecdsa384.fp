384 SHA256:MhHNh/ZzMznxnzSawK4X7rXkbCg+ts/JtD4M/4iho20 no comment (ECDSA)
