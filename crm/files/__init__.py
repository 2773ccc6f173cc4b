"""Export files: the exported fields, the field mapping to a CRM's names, the file formats and
the export stream."""
