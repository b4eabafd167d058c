"""Social intake: many posts in, the right few escalations out.

- `policy`: the policy's `[intake]` section (grouping and spike rules).
- `posts`: a post and a batch as the API takes them, and the answer per post.
- `keys`: what two posts may share to be one matter (hashtag, thread, service, customer).
- `grouping`: which hot posts open an escalation and which join an open one.
- `spike`: when a category's hot posts surge, and what the spike escalation says.
- `reports`: the listening report.

Nothing is re-exported here: `domain.policy` imports `domain.intake.policy`, and the other
modules import `domain.policy`.
"""
