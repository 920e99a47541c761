# overlap ITK tests (label itk).
