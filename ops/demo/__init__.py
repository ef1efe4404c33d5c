"""Demo corpus of the fictional municipality Gemeente Belveld, and the code that seeds it."""
