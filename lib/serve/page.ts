export const PAGE_HTML = '<!doctype html><title>seqlab</title>';
