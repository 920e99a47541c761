# cli benchmark: build-*/bin/bench_cli [--size X,Y,Z] [--repeats N] [--dir FOLDER] runs
# LobeDice end to end on the 512x512x320 phantom written as raw NRRD (short and unsigned char,
# as Slicer hands label maps over), all measures, JSON + table + error map written; prints median
# wall time and the peak RSS of the LobeDice process against the size of the two input volumes.
if(TARGET LobeDice)
  add_executable(bench_cli ${CMAKE_CURRENT_SOURCE_DIR}/bench_cli.c)
  target_link_libraries(bench_cli PRIVATE lobedice_bench lobedice_warnings)
  target_compile_definitions(bench_cli PRIVATE
    LOBEDICE_EXE="$<TARGET_FILE:LobeDice>"
    LOBEDICE_PHANTOM_EXE="$<TARGET_FILE:lobedice-phantom>")
  add_dependencies(bench_cli LobeDice lobedice-phantom)
endif()
