"""The TICKscript grammar, shipped inside the package as tickpy.grammar."""
