256 SHA256:StctIY8q1vcLYyLfeQGjbx326LE4eEpCac/TfOkJlWM no comment (ECDSA)
