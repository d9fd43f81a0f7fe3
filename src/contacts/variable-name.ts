/**
 * The dynamic-variable name a CSV header maps to: trimmed, lower-cased, accents dropped, every run of
 * characters outside [a-z0-9_] replaced by one '_', leading/trailing '_' dropped ("First Name" ->
 * first_name, "E-mail" -> e_mail, "Company (HQ)" -> company_hq, "Prénom" -> prenom).
 * Empty when nothing usable is left.
 */
export function toVariableName(header: string): string {
  return header
    .trim()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '');
}
