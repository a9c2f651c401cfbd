# Turns a text file into a C translation unit defining
#   const char SYMBOL[];  (NUL-terminated)
# Usage: cmake -DIN=file -DOUT=file.c -DSYMBOL=name -P embed.cmake
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
# A byte from 0x80 up (UTF-8 beyond ASCII: the Welsh titles' ŵ, ŷ, â, ’ ...) does not fit a
# signed char: without the cast, gcc's -Woverflow (an error under -Werror) refuses it. The
# cast keeps the byte as it is.
string(REGEX REPLACE "0x([89a-f][0-9a-f])," "(char)0x\\1," bytes "${bytes}")
file(WRITE "${OUT}" "/* Generated from ${IN}; do not edit. */\n"
     "extern const char ${SYMBOL}[];\n"
     "const char ${SYMBOL}[] = {\n${bytes}0x00};\n")
