// The part of yauzl 2.10's API that evidence/bundle-zip.ts and extract/document-text/archive.ts use (no @types/yauzl in the tree).
declare module 'yauzl' {
  import type { EventEmitter } from 'node:events';
  import type { Readable } from 'node:stream';

  export interface Options {
    autoClose?: boolean;
    lazyEntries?: boolean;
    decodeStrings?: boolean;
    validateEntrySizes?: boolean;
    strictFileNames?: boolean;
  }

  export class Entry {
    /** a Buffer when decodeStrings is false */
    fileName: string | Buffer;
    versionMadeBy: number;
    generalPurposeBitFlag: number;
    compressionMethod: number;
    compressedSize: number;
    uncompressedSize: number;
    externalFileAttributes: number;
    relativeOffsetOfLocalHeader: number;
    isEncrypted(): boolean;
    isCompressed(): boolean;
  }

  export class ZipFile extends EventEmitter {
    entryCount: number;
    fileSize: number;
    isOpen: boolean;
    readEntry(): void;
    openReadStream(entry: Entry, callback: (err: Error | null, stream: Readable) => void): void;
    openReadStream(entry: Entry, options: { decompress?: boolean; start?: number; end?: number }, callback: (err: Error | null, stream: Readable) => void): void;
    close(): void;
  }

  export function open(path: string, options: Options, callback: (err: Error | null, zipfile: ZipFile) => void): void;
  export function fromBuffer(buffer: Buffer, options: Options, callback: (err: Error | null, zipfile: ZipFile) => void): void;
}
