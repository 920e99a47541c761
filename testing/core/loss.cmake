# loss tests (label core).
lobedice_add_test(test_loss LABEL core
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_loss.c ${CMAKE_CURRENT_SOURCE_DIR}/test_loss_oracle.c)
lobedice_add_test(test_loss_grad LABEL core
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_loss_grad.c ${CMAKE_CURRENT_SOURCE_DIR}/test_loss_oracle.c)
# White-box: checks the vectorizable exp of core/src/loss_kernels.h against libm.
lobedice_add_test(test_loss_exp LABEL core SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_loss_exp.c)
target_include_directories(test_loss_exp PRIVATE ${PROJECT_SOURCE_DIR}/core/src)
