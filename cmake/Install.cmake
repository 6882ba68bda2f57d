# SPDX-License-Identifier: MIT
# What `cmake --install` puts where. The defaults suit scripts/quickstart.sh (all under the
# prefix, the daemon beside the CLI, no units); debian/rules puts the daemon in sbin and installs
# the systemd units with the package's paths and pipe group.
include(GNUInstallDirs)
set(EVENTMGR_INSTALL_DAEMON_DIR "${CMAKE_INSTALL_BINDIR}" CACHE STRING
  "Where eventmgrd goes, relative to the prefix (the Debian package: sbin)")
set(EVENTMGR_SYSTEMD_UNIT_DIR "" CACHE STRING
  "Install the units of scripts/systemd into this absolute directory (empty: not installed)")
set(EVENTMGR_PIPE_GROUP "" CACHE STRING
  "SocketGroup= of the installed socket unit, the pipe_group of the config (empty: the unit's root)")

install(TARGETS eventmgr RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS eventmgrd RUNTIME DESTINATION ${EVENTMGR_INSTALL_DAEMON_DIR})
# eventmgr-web is a daemon run as root like eventmgrd (it opens the private database): beside it.
install(TARGETS eventmgr-web RUNTIME DESTINATION ${EVENTMGR_INSTALL_DAEMON_DIR})
install(FILES README.md ARCHITECTURE.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES scripts/completion/eventmgr.bash
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME eventmgr)
install(FILES scripts/completion/event_handler.bash
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME event_handler)
set(EVENTMGR_BASH_COMPLETION "${CMAKE_INSTALL_FULL_DATADIR}/bash-completion/completions/eventmgr")
configure_file(scripts/completion/_eventmgr.in "${CMAKE_BINARY_DIR}/completion/_eventmgr" @ONLY)
install(FILES "${CMAKE_BINARY_DIR}/completion/_eventmgr" DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)

if(EVENTMGR_SYSTEMD_UNIT_DIR)
  # The units in scripts/systemd name the quickstart's paths; installed ones name where this
  # build puts the binaries, and point at the man page (README.md gets compressed by packagers).
  if(IS_ABSOLUTE "${EVENTMGR_INSTALL_DAEMON_DIR}")
    set(daemon_dir "${EVENTMGR_INSTALL_DAEMON_DIR}")
  else()
    set(daemon_dir "${CMAKE_INSTALL_PREFIX}/${EVENTMGR_INSTALL_DAEMON_DIR}")
  endif()
  file(GLOB units CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/scripts/systemd/*.service
    ${PROJECT_SOURCE_DIR}/scripts/systemd/*.socket)
  foreach(unit IN LISTS units)
    get_filename_component(name "${unit}" NAME)
    file(READ "${unit}" text)
    string(REPLACE "/usr/local/bin/eventmgrd" "${daemon_dir}/eventmgrd" text "${text}")
    string(REPLACE "/usr/local/bin/eventmgr-web" "${daemon_dir}/eventmgr-web" text "${text}")
    string(REPLACE "/usr/local/bin/" "${CMAKE_INSTALL_FULL_BINDIR}/" text "${text}")
    string(REPLACE "file:///usr/local/share/doc/eventmgr/README.md" "man:eventmgrd(8)" text "${text}")
    string(REPLACE "file:///usr/local/share/doc/eventmgr/docs/WEB.md" "man:eventmgr-web(8)" text "${text}")
    if(EVENTMGR_PIPE_GROUP)
      string(REPLACE "\nSocketGroup=root\n" "\nSocketGroup=${EVENTMGR_PIPE_GROUP}\n" text "${text}")
    endif()
    file(WRITE "${CMAKE_BINARY_DIR}/systemd/${name}.tmp" "${text}")
    configure_file("${CMAKE_BINARY_DIR}/systemd/${name}.tmp" "${CMAKE_BINARY_DIR}/systemd/${name}" COPYONLY)
    install(FILES "${CMAKE_BINARY_DIR}/systemd/${name}" DESTINATION "${EVENTMGR_SYSTEMD_UNIT_DIR}")
  endforeach()
endif()
