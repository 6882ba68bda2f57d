# SPDX-License-Identifier: MIT
# cmake -DSOURCE=x.1.scd -DOUTPUT=x.1 -DSCDOC=scdoc -DVERSION=1.2.3 -P scdoc.cmake
cmake_minimum_required(VERSION 3.25)
# Puts the version in the page's title line, then runs scdoc (which reads stdin only).
file(READ "${SOURCE}" text)
string(REPLACE "@VERSION@" "${VERSION}" text "${text}")
file(WRITE "${OUTPUT}.scd" "${text}")
execute_process(COMMAND "${SCDOC}" INPUT_FILE "${OUTPUT}.scd" OUTPUT_FILE "${OUTPUT}.tmp" RESULT_VARIABLE result
  ERROR_VARIABLE errors)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "scdoc ${SOURCE}: ${errors}")
endif()
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
