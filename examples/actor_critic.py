"""Policy-gradient reinforcement learning on two tiny hand-written environments.
REINFORCE on a corridor walk with torch.distributions.Categorical (sample, log_prob,
entropy bonus), discounted returns computed backwards, returns normalised with mean/std and
eps; then a one-step actor-critic with a Gaussian policy (torch.distributions.Normal with a
learned log_std, Independent for a 2-D action), a value head trained with smooth_l1_loss,
advantages detached from the critic, RMSprop and a shared trunk."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import Categorical, Independent, Normal


class Corridor:
    """Start in cell 0 of a 6-cell corridor; reward 1 at the right end, -0.01 a step."""
    n = 6

    def reset(self):
        self.pos = 0
        return self.obs()

    def obs(self):
        return F.one_hot(torch.tensor(self.pos), self.n).float()

    def step(self, action):   # 0: left, 1: right
        self.pos = max(0, min(self.n - 1, self.pos + (1 if action == 1 else -1)))
        done = self.pos == self.n - 1
        return self.obs(), (1.0 if done else -0.01), done


def discounted_returns(rewards, gamma):
    returns, R = [], 0.0
    for r in reversed(rewards):
        R = r + gamma * R
        returns.insert(0, R)
    return torch.tensor(returns)


torch.set_num_threads(1)   # tiny tensors: extra threads only add overhead
torch.manual_seed(0)
policy = nn.Sequential(nn.Linear(Corridor.n, 16), nn.Tanh(), nn.Linear(16, 2))
opt = torch.optim.Adam(policy.parameters(), lr=0.05)
env, gamma, eps = Corridor(), 0.9, torch.finfo(torch.float32).eps
d = Categorical(logits=torch.tensor([0.0, 1.0]))
print(d, d.probs, d.entropy())
print(d.log_prob(torch.tensor([0, 1])), d.sample((4,)))
for episode in range(40):
    obs, log_probs, entropies, rewards = env.reset(), [], [], []
    for t in range(20):
        dist = Categorical(logits=policy(obs))
        action = dist.sample()
        log_probs.append(dist.log_prob(action))
        entropies.append(dist.entropy())
        obs, r, done = env.step(action.item())
        rewards.append(r)
        if done:
            break
    returns = discounted_returns(rewards, gamma)
    if len(returns) > 1:
        returns = (returns - returns.mean()) / (returns.std() + eps)
    loss = -(torch.stack(log_probs) * returns).sum() - 0.01 * torch.stack(entropies).sum()
    opt.zero_grad()
    loss.backward()
    opt.step()
    if episode % 8 == 0 or episode == 39:
        print(f'episode {episode:2d} steps {len(rewards):2d} return {sum(rewards):+.2f} '
              f'loss {loss.item():+.4f}')
with torch.no_grad():
    probs = F.softmax(policy(torch.eye(Corridor.n)), dim=-1)
print('P(right) per cell', probs[:, 1].round(decimals=3))


class Reach:
    """A point in the plane moves by the 2-D action; reward is minus the distance to a goal."""
    goal = torch.tensor([0.5, -0.5])

    def reset(self, gen):
        self.pos = torch.rand(2, generator=gen) * 2 - 1
        return self.pos.clone()

    def step(self, action):
        self.pos = (self.pos + 0.3 * action.clamp(-1, 1)).clamp(-1, 1)
        dist = torch.linalg.vector_norm(self.pos - self.goal)
        return self.pos.clone(), -dist.item()


class ActorCritic(nn.Module):
    def __init__(self, obs_dim=2, act_dim=2, hidden=32):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(obs_dim, hidden), nn.ReLU())
        self.mu = nn.Linear(hidden, act_dim)
        self.log_std = nn.Parameter(torch.full((act_dim,), -0.5))
        self.value = nn.Linear(hidden, 1)

    def forward(self, obs):
        h = self.trunk(obs)
        dist = Independent(Normal(self.mu(h), self.log_std.exp()), 1)
        return dist, self.value(h).squeeze(-1)


torch.manual_seed(1)
ac = ActorCritic()
print(ac)
opt = torch.optim.RMSprop(ac.parameters(), lr=0.005, alpha=0.99)
env, gen = Reach(), torch.Generator().manual_seed(2)
dist, v = ac(torch.zeros(2))
print(dist.batch_shape, dist.event_shape, dist.base_dist.loc.shape, v.shape)
for it in range(60):
    obs = env.reset(gen)
    total, a_losses, c_losses, ents = 0.0, [], [], []
    for t in range(8):
        dist, value = ac(obs)
        action = dist.sample()
        next_obs, r = env.step(action)
        with torch.no_grad():
            target = r + 0.95 * ac(next_obs)[1]
        advantage = (target - value).detach()
        a_losses.append(-dist.log_prob(action) * advantage)
        c_losses.append(F.smooth_l1_loss(value, target))
        ents.append(dist.entropy())
        total += r
        obs = next_obs
    loss = torch.stack(a_losses).mean() + 0.5 * torch.stack(c_losses).mean() \
        - 1e-3 * torch.stack(ents).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    if it % 15 == 0 or it == 59:
        print(f'iter {it:2d} return {total:+.3f} loss {loss.item():+.4f} '
              f'std {ac.log_std.exp().tolist()[0]:.3f}')
with torch.no_grad():
    dist, value = ac(torch.tensor([[0.0, 0.0], [0.5, -0.5]]))
    print('mean action', dist.mean.round(decimals=2), 'value', value.round(decimals=2))
    print('log_prob of the mean', dist.log_prob(dist.mean).round(decimals=3))
