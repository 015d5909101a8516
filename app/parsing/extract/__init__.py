"""Document extractors: HTML, PDF and Word bytes in, the line-and-tab text the parser reads out.

Every extractor writes headings and paragraphs as lines and each printed table row as one line
of tab-separated cells, with spanned cells expanded to a grid (the text in the first position,
empty strings in the positions the span covers), so one text parser serves every input kind.
"""
