// Program errors named and explained from the IDLs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { explainFailure, idlError, IDLS, programError } from '../../src/client';
import {
  getLeveragedTokenErrorMessage,
  LEVERAGED_TOKEN_ERROR__TOKENS_BELOW_MINIMUM,
} from '../../src/generated/leveraged-token';
import { fixture } from './helpers';

const { programs } = fixture;

describe('idlError', () => {
  it('names a custom error code of each program with its message', () => {
    assert.deepEqual(idlError('leveragedToken', 6004), {
      name: 'TokensBelowMinimum',
      message: 'You would receive fewer tokens than the minimum you asked for',
    });
    assert.deepEqual(idlError('amm', 6001), {
      name: 'SlippageExceeded',
      message: 'Swap output is below the minimum you asked for (slippage exceeded)',
    });
    assert.equal(idlError('lendingPool', 6001)?.name, 'InsufficientLiquidity');
    assert.equal(idlError('leveragedToken', 5999), undefined);
  });

  it('agrees with the generated client on every code', () => {
    assert.equal(LEVERAGED_TOKEN_ERROR__TOKENS_BELOW_MINIMUM, 6004);
    for (const e of IDLS.leveragedToken.errors ?? []) {
      assert.equal(getLeveragedTokenErrorMessage(e.code as never), e.msg);
    }
  });

  it('finds the program by address', () => {
    const e = programError(programs.lendingPool, 6001);
    assert.equal(e.program, 'lendingPool');
    assert.equal(e.name, 'InsufficientLiquidity');
    assert.equal(programError('11111111111111111111111111111111', 6001).name, undefined);
  });
});

describe('explainFailure', () => {
  it('reports the innermost failing program (a CPI’s error is the callee’s)', () => {
    const logs = [
      `Program ${programs.leveragedToken} invoke [1]`,
      `Program ${programs.amm} invoke [2]`,
      `Program ${programs.amm} failed: custom program error: 0x1771`,
      `Program ${programs.leveragedToken} failed: custom program error: 0x1771`,
    ];
    const { error, summary } = explainFailure({ InstructionError: [0, { Custom: 6001 }] }, logs, [programs.leveragedToken]);
    assert.equal(error?.program, 'amm');
    assert.equal(error?.name, 'SlippageExceeded');
    assert.equal(summary, 'SlippageExceeded: Swap output is below the minimum you asked for (slippage exceeded) (amm, error 6001)');
  });

  it('falls back to the instruction’s program when the logs are missing', () => {
    const { error } = explainFailure({ InstructionError: [1, { Custom: 6004 }] }, null, [
      'ComputeBudget111111111111111111111111111111',
      programs.leveragedToken,
    ]);
    assert.equal(error?.name, 'TokensBelowMinimum');
  });

  it('names Anchor’s own errors from the AnchorError log line', () => {
    const logs = [
      `Program ${programs.leveragedToken} invoke [1]`,
      'Program log: AnchorError caused by account: market. Error Code: AccountNotInitialized. Error Number: 3012. Error Message: The program expected this account to be already initialized.',
      `Program ${programs.leveragedToken} failed: custom program error: 0xbc4`,
    ];
    const { error } = explainFailure({ InstructionError: [0, { Custom: 3012 }] }, logs);
    assert.equal(error?.code, 3012);
    assert.equal(error?.name, 'AccountNotInitialized');
    assert.equal(error?.message, 'The program expected this account to be already initialized');
  });

  it('describes a failure that is no program error', () => {
    assert.equal(explainFailure('BlockhashNotFound', []).summary, 'transaction failed: "BlockhashNotFound"');
  });
});
