# cmake -DBINARY=<daemon> -DEXPECTED=<file> -P check_default_config.cmake
# Fails (and shows a diff) unless `<daemon> --print-default-config` prints
# exactly the contents of <file>.
execute_process(COMMAND ${BINARY} --print-default-config
                OUTPUT_VARIABLE printed RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${BINARY} --print-default-config exited with ${rc}: ${err}")
endif()
file(READ ${EXPECTED} expected)
if(printed STREQUAL expected)
  return()
endif()
get_filename_component(name ${EXPECTED} NAME)
set(actual ${CMAKE_CURRENT_BINARY_DIR}/${name}.printed)
file(WRITE ${actual} "${printed}")
find_program(DIFF diff)
if(DIFF)
  execute_process(COMMAND ${DIFF} -u ${EXPECTED} ${actual})
endif()
message(FATAL_ERROR "${EXPECTED} differs from what ${BINARY} --print-default-config prints "
                    "(now in ${actual}); regenerate it (see units/CMakeLists.txt)")
