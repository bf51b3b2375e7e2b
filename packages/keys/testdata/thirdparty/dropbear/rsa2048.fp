2048 SHA256:Z5Xge4SzatWXrMjiS+FwEza37eRSSRmnmZnXNWrwsUM no comment (RSA)
