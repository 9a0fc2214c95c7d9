#!/usr/bin/env node
// Generates the @solana/kit clients of the three programs from the committed Anchor IDLs
// (../idl/*.json, written by `bash scripts/idl.sh`) with Codama into src/generated/<program>/,
// and copies the IDLs to src/generated/idl/.
//
//   npm run codegen          # regenerate src/generated/
//   npm run codegen:check    # regenerate into a scratch folder; exit 1 if src/generated/ differs
//
// The check renders with the same package folder (so the same Prettier configuration) into
// node_modules/.cache/codegen-check/ and compares the trees file by file.
import { rootNodeFromAnchor } from '@codama/nodes-from-anchor';
import { renderVisitor } from '@codama/renderers-js';
import { createFromRoot } from 'codama';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const idlDir = join(webDir, '..', 'idl');

/** IDL file stem → folder under src/generated (the program's directory name under programs/). */
const PROGRAMS = [
    ['amm', 'amm'],
    ['lending_pool', 'lending-pool'],
    ['leveraged_token', 'leveraged-token'],
];

const RENDER_OPTIONS = {
    // web/package.json is ours: the dependencies are pinned there by hand (checked below).
    syncPackageJson: false,
    deleteFolderBeforeRendering: true,
    formatCode: true,
    // Everything from @solana/kit (and its program-client-core subpath): one dependency to pin.
    kitImportStrategy: 'rootOnly',
    prettierOptions: { printWidth: 100, singleQuote: true, tabWidth: 2, trailingComma: 'all', semi: true },
};

async function render(generatedRoot) {
    // The IDLs themselves, for src/client (error names and messages, event discriminators):
    // copied inside src/ so a bundler serves them without reaching outside the package.
    const idlCopies = join(webDir, generatedRoot, 'idl');
    rmSync(idlCopies, { recursive: true, force: true });
    mkdirSync(idlCopies, { recursive: true });
    for (const [idlName, folder] of PROGRAMS) {
        const text = readFileSync(join(idlDir, `${idlName}.json`), 'utf8');
        writeFileSync(join(idlCopies, `${idlName}.json`), text);
        const idl = JSON.parse(text);
        // The JS renderer renders no event nodes, and nodes-from-anchor drops the types of the
        // IDL's events from the defined types. Handing it the IDL without `events` keeps each
        // event's struct as a defined type, so its codec (getMintedDecoder, ...) is generated;
        // src/client/events.ts pairs them with the discriminators read from the IDL itself.
        const codama = createFromRoot(rootNodeFromAnchor({ ...idl, events: [] }));
        await codama.accept(
            renderVisitor(webDir, { ...RENDER_OPTIONS, generatedFolder: join(generatedRoot, folder) }),
        );
    }
}

function listFiles(dir) {
    let out = [];
    let entries;
    try {
        entries = readdirSync(dir);
    } catch {
        return out;
    }
    for (const name of entries) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) out = out.concat(listFiles(path));
        else out.push(path);
    }
    return out;
}

function compareTrees(expectedDir, actualDir) {
    const rel = (root) => new Set(listFiles(root).map((p) => relative(root, p)));
    const expected = rel(expectedDir);
    const actual = rel(actualDir);
    const problems = [];
    for (const file of expected) {
        if (!actual.has(file)) problems.push(`missing: ${file}`);
        else if (!readFileSync(join(expectedDir, file)).equals(readFileSync(join(actualDir, file)))) {
            problems.push(`differs: ${file}`);
        }
    }
    for (const file of actual) if (!expected.has(file)) problems.push(`not generated any more: ${file}`);
    return problems;
}

const check = process.argv.includes('--check');
if (!check) {
    await render('src/generated');
    console.log(`generated ${PROGRAMS.map(([, f]) => `src/generated/${f}`).join(', ')} from ../idl`);
} else {
    const scratch = join('node_modules', '.cache', 'codegen-check');
    rmSync(join(webDir, scratch), { recursive: true, force: true });
    mkdirSync(join(webDir, scratch), { recursive: true });
    await render(scratch);
    const problems = compareTrees(join(webDir, scratch), join(webDir, 'src', 'generated'));
    rmSync(join(webDir, scratch), { recursive: true, force: true });
    if (problems.length > 0) {
        console.error(problems.map((p) => `  web/src/generated/ ${p}`).join('\n'));
        console.error(
            '\nSTALE GENERATED CLIENT: web/src/generated/ is not what Codama generates from idl/*.json.\n' +
                'Regenerate with `npm --prefix web run codegen` and commit web/src/generated/.',
        );
        process.exit(1);
    }
    console.log('web/src/generated/: up to date with idl/*.json');
}
