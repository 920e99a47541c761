# surface ITK tests (label itk).
