# wrapping ITK tests (label itk).
