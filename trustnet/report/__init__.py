"""Everything trustnet writes: figures, tables, graph files, the HTML page and summary.json."""
