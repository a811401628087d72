"""A small convnet trained on synthetic images: nn.Module, DataLoader (shuffled), cross-entropy,
SGD with momentum, a scheduler, evaluation, and a state_dict round trip through torch.save; on the
GPU when there is one (batches moved with .to(device), the checkpoint loaded with map_location)."""
import io

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 3)
        self.bn = nn.BatchNorm2d(6)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 8, 3)
        self.drop = nn.Dropout(0.25)
        self.fc1 = nn.Linear(8 * 2 * 2, 32)
        self.fc2 = nn.Linear(32, 3)

    def forward(self, x):
        x = self.pool(F.relu(self.bn(self.conv1(x))))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = self.drop(F.relu(self.fc1(x)))
        return self.fc2(x)


device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
torch.manual_seed(0)
images = torch.randn(96, 1, 14, 14)
labels = (images.mean(dim=(1, 2, 3)) > 0).long() + (images[:, 0, 0, 0] > 1).long()
loader = DataLoader(TensorDataset(images, labels), batch_size=16, shuffle=True)
net = Net().to(device)
print(net)
print(sum(p.numel() for p in net.parameters()), 'parameters')
opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
for epoch in range(4):
    net.train()
    total = 0.0
    for x, y in loader:
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
        opt.zero_grad()
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        total += loss.item()
    sched.step()
    print(f'epoch {epoch}: loss {total / len(loader):.4f} lr {sched.get_last_lr()[0]:.4f}')
net.eval()
with torch.no_grad():
    pred = net(images.to(device)).argmax(1).cpu()
print('accuracy', (pred == labels).float().mean().item())
buf = io.BytesIO()
torch.save(net.state_dict(), buf)
buf.seek(0)
net2 = Net().to(device)
print(net2.load_state_dict(torch.load(buf, map_location=device)))
net2.eval()
with torch.no_grad():
    print(torch.equal(net2(images[:4].to(device)), net(images[:4].to(device))))
print(list(net.state_dict().keys())[:6])
