# `EXE --xml | xmllint --noout -`, failing when either command fails: the module description
# the executable prints is well-formed XML.
# Usage: cmake -DEXE=build/bin/LobeDice -DXMLLINT=/usr/bin/xmllint -P xmllint_module.cmake
execute_process(
  COMMAND "${EXE}" --xml
  COMMAND "${XMLLINT}" --noout -
  RESULTS_VARIABLE results
  ERROR_VARIABLE errors)
if(NOT results STREQUAL "0;0")
  message(FATAL_ERROR "LobeDice --xml | xmllint --noout -: exit statuses ${results}\n${errors}")
endif()
if(NOT errors STREQUAL "")
  message(FATAL_ERROR "xmllint reported:\n${errors}")
endif()
