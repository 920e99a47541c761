# Writes the bytes of IN as a C array into OUT, so `LobeDice --xml` prints exactly plugin/LobeDice.xml.
# Usage: cmake -DIN=LobeDice.xml -DOUT=lobedice_cli_xml.c -P embed_xml.cmake
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" digits)
math(EXPR bytes "${digits} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n" body "${body}")
file(WRITE "${OUT}.tmp"
  "/* Generated from LobeDice.xml by plugin/embed_xml.cmake: do not edit. */\n"
  "#include <stddef.h>\n"
  "extern const unsigned char lobedice_cli_xml[];\n"
  "extern const size_t lobedice_cli_xml_size;\n"
  "const unsigned char lobedice_cli_xml[] = {\n${body}\n};\n"
  "const size_t lobedice_cli_xml_size = ${bytes};\n")
file(RENAME "${OUT}.tmp" "${OUT}")
