# overlap ITK tests (label itk): lobedice_overlap against itk::LabelOverlapMeasuresImageFilter.
lobedice_add_test(test_itk_overlap LABEL itk
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_itk_overlap.cxx
  LIBS ${ITK_LIBRARIES})
target_include_directories(test_itk_overlap SYSTEM PRIVATE ${ITK_INCLUDE_DIRS})
