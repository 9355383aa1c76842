import type Anthropic from '@anthropic-ai/sdk';
import { planResumeMessages } from './plan-resume-messages';

const task: Anthropic.MessageParam = { role: 'user', content: [{ type: 'text', text: 'task' }] };
const blockerTurn: Anthropic.MessageParam = {
  role: 'assistant',
  content: [
    { type: 'text', text: 'I need to ask.' },
    { type: 'tool_use', id: 'w1', name: 'write_file', input: { path: 'src/a.ts', content: 'x' } },
    { type: 'tool_use', id: 'b1', name: 'report_blocker', input: { question: 'UTC or local?' } },
  ],
};

describe('planResumeMessages', () => {
  it('adds the answer as report_blocker result next to the results the blocked run gave', () => {
    const saved: Anthropic.MessageParam[] = [task, blockerTurn, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'w1', content: 'Created src/a.ts' }] }];
    expect(planResumeMessages({ messages: saved, answer: 'UTC', task: 'task' })).toEqual([
      task,
      blockerTurn,
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'w1', content: 'Created src/a.ts' },
          { type: 'tool_result', tool_use_id: 'b1', content: 'A person answered your question: UTC' },
        ],
      },
    ]);
  });

  it('answers every open call when the saved conversation ends with the assistant', () => {
    const resumed = planResumeMessages({ messages: [task, blockerTurn], answer: 'UTC', task: 'task' });
    expect(resumed).toHaveLength(3);
    expect(resumed[2].content).toEqual([
      { type: 'tool_result', tool_use_id: 'w1', content: expect.stringMatching(/not run/) },
      { type: 'tool_result', tool_use_id: 'b1', content: 'A person answered your question: UTC' },
    ]);
  });

  it('keeps the thinking blocks of the saved conversation exactly as they were', () => {
    const thinkingTurn: Anthropic.MessageParam = {
      role: 'assistant',
      content: [{ type: 'thinking', thinking: 'Which zone?', signature: 'sig-1' }, ...(blockerTurn.content as Anthropic.ContentBlockParam[])],
    };
    const resumed = planResumeMessages({ messages: [task, thinkingTurn], answer: 'UTC', task: 'task' });
    expect(resumed[1]).toBe(thinkingTurn);
    expect((resumed[1].content as Anthropic.ContentBlockParam[])[0]).toEqual({ type: 'thinking', thinking: 'Which zone?', signature: 'sig-1' });
  });

  it('points at the task when no answer is given, and falls back to text without an open blocker', () => {
    const resumed = planResumeMessages({ messages: [task, { role: 'assistant', content: 'hm' }], task: 'TASK WITH ANSWERS' });
    expect(resumed[2]).toEqual({ role: 'user', content: [{ type: 'text', text: expect.stringContaining('TASK WITH ANSWERS') }] });
  });
});
