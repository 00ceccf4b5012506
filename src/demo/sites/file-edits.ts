import { attachmentBytes, type FixtureSite } from './site.js';

/**
 * A posting's spreadsheet as a county re-uploads it with one cell set (a cell below the last row
 * adds a row), served from then on in place of the bundled file. Numbers stay numbers.
 */
export async function editCell(site: FixtureSite, postingId: number, file: number, cell: string, value: string): Promise<{ file: string; cell: string; value: string }> {
  const a = site.posting(postingId)?.attachments[file - 1];
  if (!a) throw new Error(`posting ${postingId} of ${site.name} has no file ${file}`);
  if (a.kind !== 'xls') throw new Error(`file ${file} of posting ${postingId} is a ${a.kind}, not a spreadsheet`);
  if (!/^[A-Z]{1,3}[1-9]\d{0,5}$/.test(cell)) throw new Error(`not a cell reference: ${cell}`);
  const { default: XLSX } = await import('@e965/xlsx');
  const key = `${postingId}/${file}`;
  const wb = XLSX.read(site.filesEdited.get(key) ?? attachmentBytes('xls'));
  const ws = wb.Sheets[wb.SheetNames[0]!]!;
  XLSX.utils.sheet_add_aoa(ws, [[/^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value]], { origin: cell });
  site.filesEdited.set(key, XLSX.write(wb, { type: 'buffer', bookType: 'biff8' }) as Buffer);
  return { file: a.name, cell: `${wb.SheetNames[0]}!${cell}`, value };
}
