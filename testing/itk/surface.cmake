# surface ITK tests (label itk): ITK's Hausdorff filters as oracles on boxes (one ITK unit).
lobedice_add_test(test_itk_surface LABEL itk
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_itk_surface.cxx
  LIBS ${ITK_LIBRARIES})
target_include_directories(test_itk_surface SYSTEM PRIVATE ${ITK_INCLUDE_DIRS})
