// What a judge reads: the task, the answers under their anonymous labels (each in an <answer label="X"> block, in
// label order), and the exact verdict shape to reply with. The corrective re-prompt says what was wrong.

export function taskText(messages: readonly unknown[]): string {
  const parts: string[] = [];
  for (const m of messages) {
    const msg = m as { role?: unknown; content?: unknown; type?: unknown; text?: unknown };
    if (typeof msg.role === 'string') {
      if (typeof msg.content === 'string') parts.push(msg.content);
      else if (Array.isArray(msg.content)) parts.push(taskText(msg.content));
    } else if (msg.type === 'text' && typeof msg.text === 'string') parts.push(msg.text);
  }
  return parts.filter((p) => p.length > 0).join('\n');
}

function shape(labels: readonly string[]): string {
  const scores = labels.map((l) => `"${l}": <0-10>`).join(', ');
  return `{"winner": "<one of ${labels.join(', ')}>", "scores": {${scores}}, "rationale": "<why, in a few sentences>"}`;
}

export function judgePrompt(task: string, answers: readonly { label: string; text: string }[]): string {
  const labels = answers.map((a) => a.label);
  return [
    `You are the judge of ${answers.length} anonymous answers to the same task. Judge only what each answer says.`,
    '',
    '<task>',
    task,
    '</task>',
    '',
    ...answers.flatMap((a) => [`<answer label="${a.label}">`, a.text, '</answer>', '']),
    'Pick the best answer. Reply with only this JSON object, nothing else:',
    shape(labels),
  ].join('\n');
}

export function correctivePrompt(problem: string, labels: readonly string[]): string {
  return [`Your verdict could not be used: ${problem}.`, 'Reply again with only this JSON object, nothing else:', shape(labels)].join('\n');
}
